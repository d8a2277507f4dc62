//! The wasm API in Node (wasm-bindgen-test's default environment): every format vector,
//! armor, recovery code, rewriting. Run with
//! `cargo test -p vault-wasm --target wasm32-unknown-unknown`.
#![cfg(target_arch = "wasm32")]

mod common;
