//! Checksums of what the user gave, so that a result can be traced to the exact
//! scenario and figures that made it.

use sha2::{Digest, Sha256};

/// SHA-256 of bytes, hex-encoded.
pub fn sha256_bytes_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of text, hex-encoded.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}
