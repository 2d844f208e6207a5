"""Rule 0 of the publish rule in verify: the sentences of a revision no claim covers, and
a reviewer's confirmation of the revision's claim list."""
