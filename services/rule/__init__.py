"""The publish rule (DESIGN.md), pure and shared: publish's gate decides with it, and
verify says with it whether a story is ``cleared`` (and why not), in the same words."""
