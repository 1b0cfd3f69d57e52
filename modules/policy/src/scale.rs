//! Scale data (written in a later step of this change).
