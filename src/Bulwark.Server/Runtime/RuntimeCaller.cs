using Bulwark.Core.Tokens;
using Bulwark.Server.Workers;
using Microsoft.AspNetCore.Http;

namespace Bulwark.Server.Runtime;

/// <summary>The live run a runtime request acts for, as <see cref="RuntimeAuthenticator"/> established it.</summary>
internal sealed record RuntimeCaller(CapabilityClaims Claims, RunControl Run)
{
    public static RuntimeCaller Of(HttpContext http) =>
        http.Features.Get<RuntimeCaller>() ?? throw new InvalidOperationException("Runtime endpoint without RequireRunToken().");
}
