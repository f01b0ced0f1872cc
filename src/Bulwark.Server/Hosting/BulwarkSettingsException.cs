using Bulwark.Core.Errors;

namespace Bulwark.Server.Hosting;

/// <summary>A setting that cannot work; the message names it (AUTHZ-4: refuse to start rather than run unsafely).</summary>
public sealed class BulwarkSettingsException(string message) : BulwarkException("invalid_setting", message);
