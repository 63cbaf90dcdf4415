namespace Resilience.Metrics.Tests.Classification;

public class SecretRedactorTests
{
    [Theory]
    [InlineData("Authorization: Bearer sk-proj-abcdef1234567890")]
    [InlineData("https://u:p4ssw0rd-abcdef@host/x")]
    [InlineData("GET /v1/models?key=AIzaSyA-abcdefghijklmnopqrstuv HTTP/1.1")]
    [InlineData("{\"api_key\": \"abcdef1234567890\"}")]
    [InlineData("x-amz-signature=abcdef0123456789")]
    [InlineData("hf_abcdefghijklmnop is not valid")]
    [InlineData("Incorrect API key provided: sk-abcdef1234567890")]
    [InlineData("x-api-key: abcdef1234567890")]
    public void Credentials_of_every_common_shape_are_removed(string text)
    {
        var redacted = SecretRedactor.Redact(text);

        Assert.Contains(SecretRedactor.Mask, redacted);
        Assert.DoesNotContain("abcdef", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("p4ssw0rd", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Response status code does not indicate success: 503 (Service Unavailable).")]
    [InlineData("The operation was canceled.")]
    [InlineData("Connection refused (127.0.0.1:5000)")]
    public void Messages_without_credentials_are_left_alone(string text) =>
        Assert.Equal(text, SecretRedactor.Redact(text));
}
