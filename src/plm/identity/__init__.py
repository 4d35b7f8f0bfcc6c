"""Signing in: OpenID Connect single sign-on and the password login's policy (docs/identity.md)."""
