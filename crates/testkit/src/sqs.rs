//! An SQS queue on moto (or any SQS endpoint), through the AWS SDK.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;

/// An SDK configuration for `endpoint` with moto's test credentials in us-east-1.
pub fn sdk(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "testkit",
        )))
        .build()
}

/// Creates the queue `name` on `endpoint`; returns a client and the queue's URL.
pub async fn queue(endpoint: &str, name: &str) -> (aws_sdk_sqs::Client, String) {
    let sqs = aws_sdk_sqs::Client::new(&sdk(endpoint));
    let out = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("create the queue");
    let url = out.queue_url().expect("queue url").to_string();
    (sqs, url)
}
