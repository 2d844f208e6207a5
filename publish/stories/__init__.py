"""The story desk: read model, the publish rule (gate), release, corrections, retraction."""
