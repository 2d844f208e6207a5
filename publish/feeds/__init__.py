"""What readers get: JSON Feed, Atom, RSS and ninjs, rendered once per change."""
