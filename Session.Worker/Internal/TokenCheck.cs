using System.Security.Cryptography;
using System.Text;
using Session.Contracts.Internal;

namespace Session.Worker.Internal;

/// <summary>
/// Refuses, before any gRPC code reads a byte of it, a call that does not carry the token. Only a
/// remote worker's /healthz (its readiness probe, which says nothing but ready or not) needs none.
/// </summary>
internal sealed class TokenCheck(string token, bool allowHealth = false)
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (allowHealth && context.Request.Path == "/healthz")
        {
            return next(context);
        }

        string? presented = context.Request.Headers[WorkerEnvironment.TokenHeader];
        if (presented is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }

        return next(context);
    }
}
