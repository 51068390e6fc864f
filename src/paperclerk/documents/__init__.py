"""The Document itself: the stored file, its text per page, its status and its processing history."""
