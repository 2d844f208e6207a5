"""The publish rule (docs/DESIGN.md), pure: publish gates releases with it and verify
says with it whether a story is ``cleared``, so both read one rule."""
