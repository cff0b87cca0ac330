"""One module per provider, each defining PROVIDER; adding a provider is adding a file here."""
