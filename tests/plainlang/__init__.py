"""Tests of the plain-Japanese checker engine (no Django needed)."""
