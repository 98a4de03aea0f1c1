//! Drain benchmark: 10,000 Marketplace notifications (SNS envelopes) in a moto SQS queue, read
//! and deleted by the session's SQS watcher (batches of 10, deletes in flight while the next
//! batch is received) and by a one-message-at-a-time consumer (receive 1, parse, delete, repeat)
//! on an identical queue. Prints both and the ratio. Run: `bench/drain.sh` (or
//! `cargo run -p la-purchase --example drain_bench [COUNT]`).

use la_core::purchase::{TimelineEvent, Verdict, WatcherStatus};
use la_purchase::watch::{Session, Sink, SqsWatch, WatchConfig};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Count(AtomicUsize, tokio::sync::Notify);
impl Sink for Count {
    fn event(&self, _: &TimelineEvent) {
        self.0.fetch_add(1, Ordering::SeqCst);
        self.1.notify_waiters();
    }
    fn watcher(&self, _: &WatcherStatus) {}
    fn verdicts(&self, _: &[Verdict]) {}
}

async fn fill(sqs: &aws_sdk_sqs::Client, queue: &str, n: usize) {
    use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
    let topic = "arn:aws:sns:us-east-1:287250355862:aws-mp-subscription-notification-benchcode";
    let mut set = tokio::task::JoinSet::new();
    for chunk in 0..n.div_ceil(10) {
        let mut b = sqs.send_message_batch().queue_url(queue);
        for i in 0..10.min(n - chunk * 10) {
            let msg = format!("{{\n\"action\": \"subscribe-success\",\n\"customer-identifier\": \"C{chunk}x{i}\",\n\"product-code\": \"benchcode\"\n}}");
            let body = la_sandbox::buyer::sns_envelope(topic, &msg, 1_795_000_000_000);
            b = b.entries(
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .expect("entry"),
            );
        }
        set.spawn(async move { b.send().await.expect("send batch") });
        while set.len() >= 16 {
            set.join_next().await;
        }
    }
    while set.join_next().await.is_some() {}
}

/// The baseline: what a simple consumer does.
async fn one_at_a_time(sqs: &aws_sdk_sqs::Client, queue: &str, n: usize) -> Duration {
    let started = Instant::now();
    let mut done = 0;
    while done < n {
        let out = sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(1)
            .send()
            .await
            .expect("receive");
        for m in out.messages() {
            let _ = la_purchase::message::parse(m.body().unwrap_or_default());
            sqs.delete_message()
                .queue_url(queue)
                .receipt_handle(m.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("delete");
            done += 1;
        }
    }
    started.elapsed()
}

async fn watcher(cfg: &aws_config::SdkConfig, queue: &str, n: usize) -> Duration {
    let sink = Arc::new(Count(AtomicUsize::new(0), tokio::sync::Notify::new()));
    let started = Instant::now();
    let session = Session::start(
        WatchConfig {
            buyer_account: "444455556666".into(),
            product_code: String::new(),
            product_code_problem: None,
            sdk: None,
            sqs_sdk: Some(cfg.clone()),
            sqs: Some(SqsWatch {
                queue_url: queue.to_string(),
                delete: true,
                wait_secs: 0,
            }),
            sandbox_endpoint: None,
            feed_notifications: false,
            own_access_keys: vec![],
            cloudtrail_delay: Duration::ZERO,
            intervals: Default::default(),
        },
        sink.clone(),
    );
    while sink.0.load(Ordering::SeqCst) < n {
        let wait = sink.1.notified();
        let _ = tokio::time::timeout(Duration::from_millis(200), wait).await;
    }
    // Closing waits for the deletes still in flight: the queue is empty when the clock stops.
    session.close().await;
    started.elapsed()
}

async fn approx_left(sqs: &aws_sdk_sqs::Client, queue: &str) -> String {
    use aws_sdk_sqs::types::QueueAttributeName as A;
    let out = sqs
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(A::ApproximateNumberOfMessages)
        .attribute_names(A::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("attributes");
    let a = out.attributes().cloned().unwrap_or_default();
    format!(
        "{} visible, {} in flight",
        a.get(&A::ApproximateNumberOfMessages)
            .map_or("?", String::as_str),
        a.get(&A::ApproximateNumberOfMessagesNotVisible)
            .map_or("?", String::as_str)
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let moto = la_testkit::moto();
    let cfg = la_aws::access::static_config(&moto.url, "testing", "testing");
    let sqs = aws_sdk_sqs::Client::new(&cfg);
    let mut queues = Vec::new();
    for name in ["drain-watcher", "drain-baseline"] {
        let q = sqs
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .expect("queue")
            .queue_url()
            .expect("url")
            .to_string();
        fill(&sqs, &q, n).await;
        queues.push(q);
    }
    println!(
        "{n} notifications in each of two moto queues ({})",
        moto.url
    );
    let w = watcher(&cfg, &queues[0], n).await;
    println!(
        "watcher (batches of 10, concurrent deletes): {:>7.2} s  {:>7.0} msg/s  (queue after: {})",
        w.as_secs_f64(),
        n as f64 / w.as_secs_f64(),
        approx_left(&sqs, &queues[0]).await
    );
    let b = one_at_a_time(&sqs, &queues[1], n).await;
    println!(
        "one message at a time:                       {:>7.2} s  {:>7.0} msg/s  (queue after: {})",
        b.as_secs_f64(),
        n as f64 / b.as_secs_f64(),
        approx_left(&sqs, &queues[1]).await
    );
    println!(
        "ratio: {:.1}x (target >= 8x)",
        b.as_secs_f64() / w.as_secs_f64()
    );
}
