"""AWS Bedrock Converse (SigV4-signed, binary event stream, per-model-family delivery)."""

from harness.emulators import bedrock_converse
from harness.providers.base import Provider
from harness.secrets.key_formats import BASE32_UPPER, BASE64, Run, key

PROVIDER = Provider(
    name="bedrock", display="AWS", model_prefix="bedrock/",
    # Claude Sonnet 4.5 through the US inference profile; litellm routes it to Converse and
    # sends json_schema as native outputConfig.textFormat for it.
    default_model="us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    credentials=("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION_NAME"),
    point_at=lambda root: {"aws_bedrock_runtime_endpoint": root},
    emulator=bedrock_converse.make_app,
    wire=bedrock_converse.WIRE,
    key_formats={"AWS_ACCESS_KEY_ID": key("AKIA", Run(BASE32_UPPER, 16)),
                 "AWS_SECRET_ACCESS_KEY": key(Run(BASE64, 40)),
                 "AWS_REGION_NAME": key("us-east-1")},
    # Obviously fake: not AWS's AKIA... key format; litellm signs with them, nobody checks.
    fake_credentials=lambda root: {"aws_access_key_id": "emulator-access-key",
                                   "aws_secret_access_key": "emulator-secret-key",
                                   "aws_region_name": "us-east-1"},
    covers="Converse JSON and ConverseStream binary event stream (CRC-checked frames, `p` "
           "padding, sorted keys); SigV4 Authorization required; toolUse start then input as an "
           "empty delta and 2-12 char fragments (Claude) or whole in one delta (Nova); "
           "outputConfig JSON text; fenced JSON when the schema is only in the prompt",
    rank=60,
)
