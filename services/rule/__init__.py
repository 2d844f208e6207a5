"""The publish rule for one claim (DESIGN.md, rule 3 and who acts), pure and shared: publish's
gate decides with it, and the reviewers' console shows a reviewer what it still needs, in
the same words, before the claim reaches the desk."""
