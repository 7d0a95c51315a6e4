//! quorumlab (placeholder root; filled in below)
