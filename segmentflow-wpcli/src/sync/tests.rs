//! Tests of the sync shell against a mock HTTP server.
