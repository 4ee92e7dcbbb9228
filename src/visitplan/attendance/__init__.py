"""Who came to which session: the attendance record kept beside the visit, and its
import from the typed sign-in sheets or a table of marks."""
