//! The records of the field (placeholder until the model lands).
