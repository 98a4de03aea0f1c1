"""A SaaS back end talking to the Listing Assistant Marketplace sandbox with boto3, unchanged
except for the endpoint URL: resolve the buyer's registration token, read their entitlements and
send an hourly metering record. Run it against `listing-assistant sandbox serve --seed demo`:

    AWS_ACCESS_KEY_ID=AKIASANDBOXDEMO00001 \
    AWS_SECRET_ACCESS_KEY=listing-assistant-sandbox-demo-secret-0001 \
    python3 examples/boto3_saas.py http://127.0.0.1:4599 TOKEN

TOKEN is the registration_token printed by `listing-assistant sandbox purchase`.
"""

import datetime
import json
import sys

import boto3


def main(endpoint: str, token: str) -> None:
    session = boto3.session.Session(region_name="us-east-1")
    metering = session.client("meteringmarketplace", endpoint_url=endpoint)
    entitlement = session.client("marketplace-entitlement", endpoint_url=endpoint)

    # 1. The buyer landed on the registration page with this token: who are they?
    customer = metering.resolve_customer(RegistrationToken=token)
    account = customer["CustomerAWSAccountId"]
    license_arn = customer["LicenseArn"]
    product_code = customer["ProductCode"]

    # 2. What did they buy? (contracts)
    ents = entitlement.get_entitlements(
        ProductCode=product_code, Filter={"CUSTOMER_AWS_ACCOUNT_ID": [account]}
    )["Entitlements"]

    # 3. Meter an hour of usage, the 2026 way: account + license, no product code.
    now = datetime.datetime.now(datetime.timezone.utc)
    result = metering.batch_meter_usage(
        UsageRecords=[
            {
                "Timestamp": now,
                "CustomerAWSAccountId": account,
                "LicenseArn": license_arn,
                "Dimension": "api_calls",
                "Quantity": 42,
            }
        ]
    )["Results"][0]

    print(
        json.dumps(
            {
                "customer_aws_account_id": account,
                "license_arn": license_arn,
                "product_code": product_code,
                "entitlements": [
                    {"dimension": e["Dimension"], "value": e["Value"]} for e in ents
                ],
                "metering_status": result["Status"],
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
