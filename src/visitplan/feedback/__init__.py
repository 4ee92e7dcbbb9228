"""What participants said after the visit: the feedback form's questions, the answers
kept without names beside the visit file, and what was really attended."""
