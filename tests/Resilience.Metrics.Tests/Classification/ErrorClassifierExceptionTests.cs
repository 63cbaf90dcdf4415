using System.Net;
using System.Net.Sockets;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Resilience.Metrics.Tests;

public sealed class ErrorClassifierExceptionTests
{
    [Fact]
    public void Broken_circuit_is_service_unavailable() =>
        Assert.Equal(ErrorCategory.ServiceUnavailable, ErrorClassifier.Classify(null, new BrokenCircuitException()));

    [Fact]
    public void Isolated_circuit_is_service_unavailable() =>
        Assert.Equal(ErrorCategory.ServiceUnavailable, ErrorClassifier.Classify(null, new IsolatedCircuitException()));

    [Fact]
    public void Polly_timeout_is_timeout() =>
        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(null, new TimeoutRejectedException()));

    [Fact]
    public void TimeoutException_is_timeout() =>
        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(null, new TimeoutException()));

    [Fact]
    public void Task_cancellation_caused_by_a_timeout_is_timeout()
    {
        var exception = new TaskCanceledException("The request was canceled.", new TimeoutException("elapsed"));

        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public void Operation_cancellation_caused_by_a_timeout_is_timeout()
    {
        var exception = new OperationCanceledException("The operation was canceled.", new TimeoutException());

        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public void Plain_cancellation_is_not_a_timeout() =>
        Assert.Equal(ErrorCategory.Unexpected, ErrorClassifier.Classify(null, new TaskCanceledException()));

    [Fact]
    public void Cancellation_requested_by_the_caller_is_never_a_timeout()
    {
        var exception = new TaskCanceledException("The request was canceled.", new TimeoutException());

        Assert.Equal(ErrorCategory.Unexpected, ErrorClassifier.Classify(null, exception, callerCancelled: true));
        Assert.Equal(ErrorCategory.Unexpected, ErrorClassifier.Classify(null, new OperationCanceledException("timed out"), callerCancelled: true));
    }

    [Fact]
    public void Caller_cancellation_flag_does_not_change_other_exceptions()
    {
        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(null, new TimeoutRejectedException(), callerCancelled: true));
        Assert.Equal(ErrorCategory.RateLimiting, ErrorClassifier.Classify(429, new OperationCanceledException(), callerCancelled: true));
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError)]
    [InlineData(HttpRequestError.NameResolutionError)]
    [InlineData(HttpRequestError.SecureConnectionError)]
    [InlineData(HttpRequestError.ProxyTunnelError)]
    [InlineData(HttpRequestError.ResponseEnded)]
    public void HttpRequestError_of_a_connection_failure_is_network(HttpRequestError error) =>
        Assert.Equal(ErrorCategory.Network, ErrorClassifier.Classify(null, new HttpRequestException(error)));

    [Fact]
    public void HttpRequestError_of_user_authentication_is_authentication() =>
        Assert.Equal(
            ErrorCategory.Authentication,
            ErrorClassifier.Classify(null, new HttpRequestException(HttpRequestError.UserAuthenticationError)));

    [Theory]
    [InlineData(HttpRequestError.Unknown)]
    [InlineData(HttpRequestError.HttpProtocolError)]
    [InlineData(HttpRequestError.ConfigurationLimitExceeded)]
    public void HttpRequestError_that_says_nothing_falls_through_to_unexpected(HttpRequestError error) =>
        Assert.Equal(ErrorCategory.Unexpected, ErrorClassifier.Classify(null, new HttpRequestException(error, "boom")));

    [Theory]
    [InlineData(SocketError.ConnectionRefused, ErrorCategory.Network)]
    [InlineData(SocketError.ConnectionReset, ErrorCategory.Network)]
    [InlineData(SocketError.ConnectionAborted, ErrorCategory.Network)]
    [InlineData(SocketError.HostNotFound, ErrorCategory.Network)]
    [InlineData(SocketError.HostUnreachable, ErrorCategory.Network)]
    [InlineData(SocketError.NetworkUnreachable, ErrorCategory.Network)]
    [InlineData(SocketError.TryAgain, ErrorCategory.Network)]
    [InlineData(SocketError.TimedOut, ErrorCategory.Timeout)]
    public void SocketException_is_classified_by_its_error_code(SocketError error, ErrorCategory expected)
    {
        Assert.Equal(expected, ErrorClassifier.Classify(null, new SocketException((int)error)));
        Assert.Equal(expected, ErrorClassifier.Classify(null, new HttpRequestException("failed", new SocketException((int)error))));
    }

    [Fact]
    public void IOException_with_a_socket_inner_exception_is_network()
    {
        var exception = new IOException("Unable to read data from the transport connection.", new SocketException((int)SocketError.ConnectionReset));

        Assert.Equal(ErrorCategory.Network, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public void Socket_error_nested_several_levels_deep_is_found()
    {
        var exception = new HttpRequestException(
            HttpRequestError.Unknown,
            "An error occurred while sending the request.",
            new IOException("transport", new SocketException((int)SocketError.ConnectionReset)));

        Assert.Equal(ErrorCategory.Network, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public void Nested_socket_timeout_beats_the_outer_connection_error()
    {
        var exception = new HttpRequestException(
            HttpRequestError.ConnectionError,
            "connect failed",
            new SocketException((int)SocketError.TimedOut));

        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public void Nested_broken_circuit_is_found() =>
        Assert.Equal(
            ErrorCategory.ServiceUnavailable,
            ErrorClassifier.Classify(null, new InvalidOperationException("wrapper", new BrokenCircuitException())));

    [Fact]
    public void Exception_type_rule_beats_a_message_rule() =>
        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(null, new TimeoutRejectedException("rate limit: invalid api key")));

    [Fact]
    public void Exceptions_deeper_than_the_walk_are_not_inspected()
    {
        Exception exception = new SocketException((int)SocketError.ConnectionRefused);
        for (var i = 0; i < ErrorClassifier.MaxDepth; i++)
        {
            exception = new InvalidOperationException("wrapper", exception);
        }

        Assert.Equal(ErrorCategory.Unexpected, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public async Task Real_connection_refused_is_network()
    {
        // Bound but never listening: refused, and held so no other test's server takes the port meanwhile.
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        bound.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)bound.LocalEndPoint!).Port;
        using var client = new HttpClient();

        var exception = await Assert.ThrowsAsync<HttpRequestException>(
            () => client.GetAsync(new Uri($"http://127.0.0.1:{port}/v1/models"), TestContext.Current.CancellationToken));

        Assert.Equal(HttpRequestError.ConnectionError, exception.HttpRequestError);
        Assert.Equal(ErrorCategory.Network, ErrorClassifier.Classify(null, exception));
        Assert.Equal("HttpRequestException", ErrorClassifier.GetErrorType(null, exception));
    }

    [Fact]
    public async Task Real_HttpClient_timeout_is_timeout()
    {
        using var silentServer = new TcpListener(IPAddress.Loopback, 0);
        silentServer.Start();
        using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };
        var uri = new Uri($"http://127.0.0.1:{((IPEndPoint)silentServer.LocalEndpoint).Port}/v1/chat/completions");

        var exception = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.GetAsync(uri, TestContext.Current.CancellationToken));

        Assert.IsType<TimeoutException>(exception.InnerException);
        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public async Task Real_caller_cancellation_is_not_a_timeout()
    {
        using var silentServer = new TcpListener(IPAddress.Loopback, 0);
        silentServer.Start();
        using var client = new HttpClient();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancellation.CancelAfter(TimeSpan.FromMilliseconds(100));
        var uri = new Uri($"http://127.0.0.1:{((IPEndPoint)silentServer.LocalEndpoint).Port}/v1/chat/completions");

        var exception = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(uri, cancellation.Token));

        Assert.NotEqual(ErrorCategory.Timeout, ErrorClassifier.Classify(null, exception, callerCancelled: true));
        Assert.NotEqual(ErrorCategory.Timeout, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public async Task Real_Polly_timeout_is_timeout()
    {
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(TimeSpan.FromMilliseconds(50)).Build();

        var exception = await Assert.ThrowsAsync<TimeoutRejectedException>(async () =>
            await pipeline.ExecuteAsync(
                async token => await Task.Delay(Timeout.InfiniteTimeSpan, token),
                TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCategory.Timeout, ErrorClassifier.Classify(null, exception));
        Assert.Equal("TimeoutRejectedException", ErrorClassifier.GetErrorType(null, exception));
    }

    [Fact]
    public void Real_open_circuit_is_service_unavailable()
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                BreakDuration = TimeSpan.FromMinutes(1),
            })
            .Build();
        for (var i = 0; i < 2; i++)
        {
            Assert.Throws<InvalidOperationException>(() => pipeline.Execute(() => throw new InvalidOperationException("backend failed")));
        }

        var exception = Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => { }));

        Assert.Equal(ErrorCategory.ServiceUnavailable, ErrorClassifier.Classify(null, exception));
    }

    [Fact]
    public async Task Real_isolated_circuit_is_service_unavailable()
    {
        var manualControl = new CircuitBreakerManualControl();
        var pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions { ManualControl = manualControl })
            .Build();
        await manualControl.IsolateAsync(TestContext.Current.CancellationToken);

        var exception = Assert.Throws<IsolatedCircuitException>(() => pipeline.Execute(() => { }));

        Assert.Equal(ErrorCategory.ServiceUnavailable, ErrorClassifier.Classify(null, exception));
    }
}
