using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>The request pipeline every route shares: count, latency, credentials, body, fault, response.</summary>
internal sealed class Dispatcher(SimulatedApi api, ApiHandler handler, BackendControl control, ServerState server, CancellationToken stopping)
{
    public async Task HandleAsync(HttpContext http)
    {
        control.CountRequest();
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        using var exchange = new Exchange(http, control, server, aborted.Token);
        try
        {
            await RespondAsync(exchange).ConfigureAwait(false);
        }
        catch (BadRequestException e) when (!http.Response.HasStarted)
        {
            await ErrorResponses.WriteAsync(exchange, handler.Dialect, e.StatusCode, message: e.Message, s3Code: e.S3Code).ConfigureAwait(false);
        }
        catch (TruncatedException)
        {
            http.Abort();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ConnectionResetException)
        {
            // The client gave up or the server is stopping: drop the connection rather than finish the response.
            http.Abort();
        }
        finally
        {
            control.CountRequestEnd();
        }
    }

    private async Task RespondAsync(Exchange exchange)
    {
        var http = exchange.Http;
        var delay = control.Latency.NextDelay();
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, server.Time, exchange.Aborted).ConfigureAwait(false);
        }

        if (control.RequireAuthentication && !Credentials.Present(api, http.Request))
        {
            var status = ErrorResponses.AuthenticationStatus(handler.Dialect);
            await ErrorResponses.WriteAsync(exchange, handler.Dialect, status, message: ErrorResponses.MissingCredentialMessage(handler.Dialect))
                .ConfigureAwait(false);
            return;
        }

        await handler.ReadAsync(exchange).ConfigureAwait(false);

        // On every valid request's answer, a 429 of the fault plan included, as the providers do.
        RateLimitHeaders.Write(api, control.RateLimits, exchange);

        var fault = control.NextFault();
        if (fault is not null && fault.Kind != SimulatedFaultKind.None)
        {
            control.CountFault();
        }

        switch (fault?.Kind)
        {
            case SimulatedFaultKind.Status:
                await ErrorResponses.WriteAsync(exchange, handler.Dialect, fault.StatusCode, fault.RetryAfter).ConfigureAwait(false);
                return;
            case SimulatedFaultKind.ResetConnection:
                http.Abort();
                return;
            case SimulatedFaultKind.MalformedBody:
                var framed = exchange.Stream ? "data: {\"id\":\"malformed\",\"choices\":[{\n\n" : "{\"id\":\"malformed\",\"choices\":[{";
                await exchange.SendAsync(Encoding.UTF8.GetBytes(framed), handler.ContentType(exchange)).ConfigureAwait(false);
                return;
            case SimulatedFaultKind.Delay:
                await Task.Delay(fault.Duration, server.Time, exchange.Aborted).ConfigureAwait(false);
                break;
            case SimulatedFaultKind.TruncatedStream:
                exchange.TruncateAfterChunks = fault.ChunksBeforeAbort;
                break;
        }

        await handler.RespondAsync(exchange).ConfigureAwait(false);
        if (exchange.TruncateAfterChunks is not null)
        {
            // The whole response fitted in the allowed chunks: still end it without its proper close.
            await http.Response.Body.FlushAsync(exchange.Aborted).ConfigureAwait(false);
            throw new TruncatedException();
        }

        control.CountSuccess(exchange.PromptTokens, exchange.CompletionTokens);
    }
}
