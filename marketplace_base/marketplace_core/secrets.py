"""Encryption at rest of marketplace credentials (client secrets, tokens).

The key never lives in the database (a dump of it must not reveal tokens): it
comes from the Odoo configuration file (``marketplace_secret_key``) or the
``MARKETPLACE_SECRET_KEY`` environment variable.
"""
from cryptography.fernet import Fernet, InvalidToken

ENV_VARIABLE = "MARKETPLACE_SECRET_KEY"
CONFIG_OPTION = "marketplace_secret_key"


class SecretKeyMissing(RuntimeError):
    """No key is configured: secrets can be neither stored nor read."""


class SecretUnreadable(RuntimeError):
    """The stored value was encrypted with another key (or is damaged)."""


def generate_key():
    """A new key to put into the Odoo configuration file."""
    return Fernet.generate_key().decode()


class SecretBox:
    """Encrypts and decrypts text with one Fernet key."""

    def __init__(self, key):
        if not key:
            raise SecretKeyMissing(
                "No encryption key for marketplace secrets: set '%s' in the Odoo configuration file "
                "or the %s environment variable (generate one with "
                "python3 -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
                % (CONFIG_OPTION, ENV_VARIABLE)
            )
        try:
            self._fernet = Fernet(key.encode() if isinstance(key, str) else key)
        except ValueError as exc:
            raise SecretKeyMissing("The marketplace secret key is not a valid Fernet key.") from exc

    def encrypt(self, plaintext):
        """Ciphertext for ``plaintext``; empty stays empty so a cleared field stays cleared."""
        if not plaintext:
            return False
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext):
        if not ciphertext:
            return False
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable(
                "A stored marketplace secret cannot be decrypted with the configured key; "
                "enter the credential again or restore the previous key."
            ) from exc
