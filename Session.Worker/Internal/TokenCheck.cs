using Microsoft.AspNetCore.Http;
using System.Security.Cryptography;
using System.Text;

namespace ProcessFutures.Internal;

/// <summary>
/// Refuses, before any gRPC code reads a byte of it, a call that does not carry the token (nor,
/// when a remote worker requires one, a client certificate, already checked against the authority
/// in the TLS handshake). Only a remote worker's /healthz (its readiness probe, which says nothing
/// but ready or not) needs neither.
/// </summary>
internal sealed class TokenCheck(string token, bool allowHealth = false, bool requireClientCertificate = false)
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (allowHealth && context.Request.Path == "/healthz")
        {
            return next(context);
        }

        if (requireClientCertificate && context.Connection.ClientCertificate is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        if (!Accepts(context.Request.Headers[WorkerEnvironment.TokenHeader]))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        return next(context);
    }

    /// <summary>Whether <paramref name="presented"/> is the token, compared in constant time (a gRPC call's header, or a socket connection's first frame).</summary>
    public bool Accepts(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token);
}
