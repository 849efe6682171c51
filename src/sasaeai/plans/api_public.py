"""Public read API of plan progress (published cycles only), no login."""

from ninja import Router

router = Router()
