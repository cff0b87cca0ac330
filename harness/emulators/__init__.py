"""Local provider emulators: real HTTP servers speaking each provider's wire format."""
