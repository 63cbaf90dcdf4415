namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.S3"/>: Amazon S3 and S3-compatible stores; objects, never usage: responses are not read.</summary>
internal sealed class S3Format : ApiFormatDescriptor
{
    public override ApiFormat Format => ApiFormat.S3;

    public override string? ProviderName => null;

    public override bool ReadsResponses => false;

    public override UsageFieldGroups Fields => UsageFieldGroups.None;

    // s3.…, *.s3.amazonaws.com, *.s3.{region}.amazonaws.com, *.s3-….amazonaws.com
    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        host.StartsWith("s3.", StringComparison.OrdinalIgnoreCase)
        || (host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase)
            && (host.StartsWith("s3-", StringComparison.OrdinalIgnoreCase)
                || host.Contains(".s3.", StringComparison.OrdinalIgnoreCase)
                || host.Contains(".s3-", StringComparison.OrdinalIgnoreCase)));

    protected override TokenFields Counts(in UsageFields f) => new(-1, -1);
}
