"""`conformance grid`: replay the cassettes under many (instructor, litellm) release pairs.

One isolated environment per pair (built with uv, cached), the same harness code replaying in
each, and a grid of every cell's verdict per pair with the release where it broke or was fixed.
"""
