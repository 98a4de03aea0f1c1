//! Test purchase sessions end to end: the Marketplace sandbox delivering to moto's SQS, a SaaS
//! stub on loopback (one that resolves tokens and one that never does), and the session's
//! watchers building the timeline and its verdicts.

mod common;
mod lifecycle;
mod product_code;
mod shared_queue;
mod watchers;
