//! Key slots and attachment stream encryption (placeholder).
