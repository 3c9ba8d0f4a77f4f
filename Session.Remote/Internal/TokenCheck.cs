using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ProcessFutures.Infrastructure;

namespace ProcessFutures.Internal;

/// <summary>
/// Refuses, before any gRPC code reads a byte of it, a call that does not carry the token (nor,
/// when a remote worker requires one, a client certificate, already checked against the authority
/// in the TLS handshake). Only a remote worker's /healthz (its readiness probe, which says nothing
/// but ready or not) needs neither. A refusal is logged with the caller's address, never the token.
/// </summary>
internal sealed class TokenCheck(string token, ILogger logger, bool allowHealth = false, bool requireClientCertificate = false)
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (allowHealth && context.Request.Path == "/healthz")
        {
            return next(context);
        }

        if (requireClientCertificate && context.Connection.ClientCertificate is null)
        {
            RemoteHostLog.NoClientCertificate(logger, Address(context));
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        if (!WorkerServer.TokenMatches(token, context.Request.Headers[GrpcProtocol.TokenHeader]))
        {
            RemoteHostLog.TokenRefused(logger, Address(context));
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        return next(context);
    }

    private static string Address(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? $"{ip}:{context.Connection.RemotePort}" : "a local socket";
}
