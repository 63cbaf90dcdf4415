using System.Net.Sockets;
using Polly.Timeout;

namespace Resilience.Metrics.Tests;

public sealed class ErrorTypeTests
{
    [Fact]
    public void Error_type_is_the_exception_type_name() =>
        Assert.Equal("HttpRequestException", ErrorClassifier.GetErrorType(null, new HttpRequestException("failed")));

    [Fact]
    public void Error_type_of_a_Polly_timeout_is_its_type_name() =>
        Assert.Equal("TimeoutRejectedException", ErrorClassifier.GetErrorType(null, new TimeoutRejectedException()));

    [Fact]
    public void Error_type_prefers_the_exception_to_the_status_code() =>
        Assert.Equal("SocketException", ErrorClassifier.GetErrorType(503, new SocketException((int)SocketError.ConnectionReset)));

    [Theory]
    [InlineData(429, "429")]
    [InlineData(100, "100")]
    [InlineData(503, "503")]
    [InlineData(599, "599")]
    [InlineData(99, "99")]
    [InlineData(600, "600")]
    [InlineData(-1, "-1")]
    public void Error_type_without_exception_is_the_status_code(int statusCode, string expected) =>
        Assert.Equal(expected, ErrorClassifier.GetErrorType(statusCode, null));

    [Fact]
    public void Error_type_without_exception_or_status_code_is_other() =>
        Assert.Equal("_OTHER", ErrorClassifier.GetErrorType(null, null));

    [Fact]
    public void Status_code_error_types_are_cached_strings() =>
        Assert.Same(ErrorClassifier.GetErrorType(429, null), ErrorClassifier.GetErrorType(429, null));

    [Fact]
    public void Status_code_error_type_does_not_allocate()
    {
        _ = ErrorClassifier.GetErrorType(502, null);

        var before = GC.GetAllocatedBytesForCurrentThread();
        string? errorType = null;
        for (var status = 100; status <= 599; status++)
        {
            errorType = ErrorClassifier.GetErrorType(status, null);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("599", errorType);
        Assert.Equal(0, allocated);
    }
}
