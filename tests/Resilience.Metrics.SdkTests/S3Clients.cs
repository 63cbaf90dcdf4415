using Amazon.Runtime;
using Amazon.S3;

namespace Resilience.Metrics.SdkTests;

/// <summary>
/// Hands the AWS SDK the monitored HttpClient: AWS takes its HttpClient through <c>AmazonS3Config.HttpClientFactory</c>.
/// IHttpClientFactory pools the handlers, so the SDK is told not to cache the clients (its cache can be process-wide,
/// which would let one test's S3 client use another test's HttpClient) and to dispose each after use.
/// </summary>
internal sealed class MonitoredHttpClientFactory(Func<HttpClient> create) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => create();

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
}

internal static class S3Clients
{
    /// <summary>An S3 client on <paramref name="server"/>, path style, dummy credentials; <paramref name="sdkRetries"/> null keeps the SDK's default.</summary>
    public static AmazonS3Client Create(Func<HttpClient> http, LoopbackServer server, int? sdkRetries = 0)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = server.BaseAddress.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            HttpClientFactory = new MonitoredHttpClientFactory(http),
        };
        if (sdkRetries is { } retries)
        {
            config.MaxErrorRetry = retries;
        }

        return new AmazonS3Client(new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), config);
    }
}
