"""HSDS 3.0 read API of the directory, no login: /api/v1/hsds/{code}/..."""

from ninja import Router

router = Router()
