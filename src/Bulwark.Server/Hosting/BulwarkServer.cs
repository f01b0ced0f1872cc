using System.Text.Json;
using Bulwark.Core.Sandbox;
using Bulwark.Core.Storage;
using Bulwark.Sandbox;
using Bulwark.Server.Audit;
using Bulwark.Server.Auth;
using Bulwark.Server.Errors;
using Bulwark.Server.Execution;
using Bulwark.Server.Health;
using Bulwark.Server.Identity;
using Bulwark.Server.Jobs;
using Bulwark.Server.Logging;
using Bulwark.Server.Metrics;
using Bulwark.Server.Operations;
using Bulwark.Server.Runtime;
using Bulwark.Server.Templates;
using Bulwark.Server.Worker;
using Bulwark.Server.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Bulwark.Server.Hosting;

/// <summary>The one way to run the server: used by <c>bulwark serve</c> and by the end-to-end tests.</summary>
public static class BulwarkServer
{
    internal const string UnconfinedWarning =
        "WARNING: BULWARK_SANDBOX=none: script jobs run UNCONFINED on this host, with its files and network in reach. "
        + "Development only; never expose this server.";

    /// <summary>
    /// Opens and migrates the store, bootstraps an empty store (writing the one-time admin key
    /// to <paramref name="console"/>), starts Kestrel and the workers, and returns once listening.
    /// </summary>
    public static Task<RunningServer> StartAsync(BulwarkOptions options, TextWriter console, CancellationToken ct) =>
        StartAsync(options, console, TimeProvider.System, ct);

    internal static async Task<RunningServer> StartAsync(BulwarkOptions options, TextWriter console, TimeProvider time, CancellationToken ct)
    {
        BulwarkConfiguration.Validate(options);
        Directory.CreateDirectory(options.DataDir);
        var store = await StoreFactory.OpenAsync(options, ct);
        WebApplication app;
        string? adminKey;
        try
        {
            adminKey = await FirstStart.BootstrapAsync(store, time, ct);
            app = Build(options, store, time, console);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }

        if (adminKey is not null)
        {
            await console.WriteLineAsync(
                $"Created tenant '{FirstStart.DefaultTenant}' and its first admin API key. It is shown once; store it now:");
            await console.WriteLineAsync(adminKey);
        }

        var health = app.Services.GetRequiredService<ISandbox>().Health;
        if (health.Mode == "none")
        {
            await console.WriteLineAsync(UnconfinedWarning);
            Log.SandboxUnconfined(app.Services.GetRequiredService<ILogger<ISandbox>>());
        }

        if (AuthModes.Parse(options.AuthMode)?.None == true)
        {
            await console.WriteLineAsync(AuthModeRegistration.NoneWarning);
            Auth.Jwt.JwtLog.AuthNone(app.Services.GetRequiredService<ILogger<Authenticator>>());
        }

        if (!health.Usable)
        {
            Log.SandboxUnusable(app.Services.GetRequiredService<ILogger<ISandbox>>(), health.Detail);
        }

        if (Policy.PolicySettings.RunsActionsUnenforced(options))
        {
            // AUTHZ-4: allowed, but never quietly.
            await console.WriteLineAsync(Policy.PolicySettings.UnenforcedWarning);
            Log.PolicyTokensUnenforced(app.Services.GetRequiredService<ILogger<Policy.PolicyTokenGate>>());
        }

        var runtimeSocket = app.Services.GetRequiredService<RuntimeSocket>();
        try
        {
            runtimeSocket.Prepare();
            await app.StartAsync(ct);
            runtimeSocket.OpenToSandboxes();
        }
        catch
        {
            await app.DisposeAsync();
            await store.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => !a.StartsWith("http://unix:", StringComparison.OrdinalIgnoreCase));
        return new RunningServer(app, new Uri(address), adminKey, runtimeSocket.Path);
    }

    private static WebApplication Build(BulwarkOptions options, IBulwarkStore store, TimeProvider time, TextWriter console)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            // The user API (and the runtime API) on the configured TCP addresses, then the runtime
            // socket of BOX-3, which RuntimeSocketGate confines to /runtime/v1.
            KestrelAddresses.Listen(kestrel, options.Urls, Auth.Mtls.MtlsTransport.HttpsFor(options));
            kestrel.ListenUnixSocket(options.RuntimeSocketPath);
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
        // Per-request framework lines drown the ones an operator acts on; failures still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // AUD-4: security events are JSON lines of their own on the server's output, not console lines.
        builder.Logging.AddProvider(new SecurityEventLoggerProvider(console));
        builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(SecurityEventLog.Category, LogLevel.None);
        if (options.AdditionalLogProvider is { } additionalLog)
        {
            builder.Logging.AddProvider(additionalLog);
        }

        // SEC-4: every line of the server's log passes the node-wide redactor, whichever provider writes it.
        Secrets.RedactingLoggerFactory.Register(builder.Services);
        builder.Services.AddBulwark(options, store, time);

        var app = builder.Build();
        app.MapBulwark();
        return app;
    }

    /// <summary>Every service of the server; the host only adds Kestrel and logging.</summary>
    private static void AddBulwark(this IServiceCollection services, BulwarkOptions options, IBulwarkStore store, TimeProvider time)
    {
        services.AddSingleton(options);
        services.AddSingleton(store);
        services.AddSingleton(time);
        // OPS-2: this server's own meter (IMeterFactory), exported only through GET /metrics.
        services.AddMetrics();
        services.AddSingleton<BulwarkMetrics>();
        services.AddHostedService<QueueDepthSampler>();
        var ownMeter = new OwnMeter();
        services.AddSingleton(ownMeter);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("bulwark"))
            .WithMetrics(metrics => metrics
                .AddMeter(BulwarkMetrics.MeterName)
                // OpenTelemetry subscribes by meter name, process-wide: another server in the same
                // process (the tests run many) has a "Bulwark" meter too. Only this server's is exported.
                .AddView(instrument => ownMeter.Owns(instrument) ? null : MetricStreamConfiguration.Drop)
                .AddPrometheusExporter());
        // FLAG-1, FLAG-2: every feature check asks this, never the options directly. The store's
        // values are reloaded every BULWARK_FLAGS_REFRESH_SECONDS, the first time before listening.
        services.AddSingleton(_ => (Core.Flags.IFlagStore)store);
        services.AddSingleton<Flags.FlagState>();
        services.AddSingleton<Core.Flags.IFeatureFlags>(sp => sp.GetRequiredService<Flags.FlagState>());
        services.AddHostedService<Flags.FlagRefresher>();
        services.AddSingleton<Flags.TenantFlags>();
        services.AddSingleton<Flags.ReadTrail>();
        services.AddSingleton<ISandbox>(_ =>
        {
            var sandbox = new BubblewrapOptions
            {
                BwrapPath = options.SandboxBwrapPath,
                Uid = options.SandboxUid,
                Gid = options.SandboxGid,
                WorkRoot = Path.Combine(Path.GetFullPath(options.DataDir), "runs"),
            };
            // Configuration allows "none" only with BULWARK_ENV=dev (BOX-5); StartAsync says so loudly.
            return options.Sandbox == "none" ? new UnconfinedSandbox(sandbox) : new BubblewrapSandbox(sandbox);
        });
        services.AddSingleton<RuntimeSocket>();
        services.AddSingleton<RuntimeTokens>();
        services.AddSingleton<RuntimeAccess>();
        services.AddSingleton<RuntimeAuthenticator>();
        // SEC-2, SEC-4: secrets resolved at launch, and what redacts them from every path out.
        services.AddSingleton<Secrets.ServerRedactor>();
        services.AddSingleton<Secrets.RunSecrets>();
        // JOB-6: script output reaches the logs while the run goes on (this node has the store).
        services.AddSingleton<LiveLogs>();
        services.AddSingleton<IJobExecutor, ScriptExecutor>();
        services.AddSingleton<Core.Egress.IHostResolver, Egress.SystemHostResolver>();
        services.AddSingleton<Egress.EgressService>();
        services.AddSingleton<IJobExecutor, HttpExecutor>();
        services.AddSingleton<ExecutorRegistry>();
        services.AddSingleton<SecurityEventLog>();
        services.AddSingleton<AuditTrail>();
        // AUTH-5, TEN-4: one revocation snapshot per node, asked by every authenticator.
        services.AddSingleton<Revocation.RevocationCache>();
        services.AddSingleton<Core.Identity.IRevocationCheck>(sp => sp.GetRequiredService<Revocation.RevocationCache>());
        services.AddHostedService<Revocation.RevocationRefresher>();
        services.AddSingleton<Revocation.CredentialRevoker>();
        if (Auth.Mtls.MtlsRegistration.Enabled(options))
        {
            // First, so a forged identity header is recorded even when another credential then succeeds.
            services.AddSingleton<ICredentialAuthenticator, Auth.Mtls.MtlsAuthenticator>();
        }

        // AUTH-1: only the configured modes' authenticators exist.
        services.AddAuthModes(options);
        services.AddSingleton<ICredentialAuthenticator, CapabilityTokenRefusal>();
        services.AddSingleton<WorkerToken>();
        services.AddSingleton<ICredentialAuthenticator, WorkerTokenRefusal>();
        services.AddSingleton<WorkerAuthenticator>();
        services.AddSingleton<RemoteLeases>();
        services.AddSingleton<Authenticator>();
        services.AddSingleton<WorkSignal>();
        services.AddSingleton<RunningJobs>();
        // JOB-11: manifests and replay bundles of finished runs.
        services.AddSingleton(_ => (Core.Manifests.IManifestStore)store);
        services.AddSingleton<Manifests.ManifestRecorder>();
        services.AddSingleton<JobRunner>();
        // AUTH-7, NET-1: http jobs a remote worker's claim took run on the node.
        services.AddSingleton<NodeRuns>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeRuns>());
        services.AddSingleton<JobService>();
        services.AddSingleton<Logs.LogStreamSlots>();
        services.AddSingleton<Logs.LogFollower>();
        services.AddSingleton<Policy.PolicyTokenGate>();
        services.AddSingleton<Policy.PolicyTokenIssuer>();
        // NET-3: the limits' counts live in the store, so they hold across nodes.
        services.AddSingleton(_ => (Core.RateLimits.IRateLimitStore)store);
        services.AddSingleton<RateLimits.RateLimiter>();
        // JOB-9, JOB-10: events, triggers and the cron scheduler (its store calls and guards: TriggerScheduler).
        services.AddSingleton(_ => (Core.Events.IEventStore)store);
        services.AddSingleton(_ => (Core.Triggers.ITriggerStore)store);
        services.AddSingleton<Triggers.TriggeredJobs>();
        services.AddSingleton<Triggers.TriggerAdmin>();
        services.AddSingleton<Events.EventService>();
        services.AddSingleton<Triggers.TriggerScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<Triggers.TriggerScheduler>());
        if (options.LocalWorkers)
        {
            services.AddHostedService<JobWorkerPool>();
            if (store is IWorkWakeups wakeups)
            {
                // Several nodes share the store: work announced by any of them wakes the pool here.
                services.AddHostedService(sp => new WorkWakeupRelay(wakeups, sp.GetRequiredService<WorkSignal>()));
            }
        }

        services.AddHostedService<LeaseReaper>();
        // AUD-3: the daily retention sweep.
        services.AddHostedService<RetentionSweeper>();
        services.AddExceptionHandler<BulwarkExceptionHandler>();
        services.AddProblemDetails();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
        });
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
    }

    private static void MapBulwark(this WebApplication app)
    {
        // NET-4: outermost, so every answer carries them, errors included.
        Transport.SecurityHeaders.UseSecurityHeaders(app);
        app.UseExceptionHandler();
        app.Use((http, next) => RuntimeSocketGate.InvokeAsync(http, () => next(http)));
        app.Use(async (http, next) =>
        {
            http.Features.Set(new RequestStart(http.RequestServices.GetRequiredService<TimeProvider>().GetTimestamp()));
            http.Response.Headers["X-Request-Id"] = http.TraceIdentifier;
            await next(http);
        });
        Transport.CorsGate.UseCorsGate(app);
        app.UseStatusCodePages(async context =>
        {
            // Unmatched routes and methods answer in the same problem+json shape as everything else.
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            var code = status switch { 404 => "not_found", 405 => "method_not_allowed", _ => "http_" + status };
            await ProblemWriter.WriteAsync(http, ProblemMapping.Problem(status, code, status switch
            {
                404 => "There is no such route.",
                405 => "This route does not accept that method.",
                _ => "The request could not be handled.",
            }));
        });
        app.MapHealth();
        // OPS-2: unauthenticated like /healthz and /readyz; counts and reason codes only, no tenant.
        app.MapPrometheusScrapingEndpoint();
        app.MapWhoAmI();
        app.MapJobs();
        app.MapTemplates();
        app.MapRuntime();
        Revocation.RevocationEndpoints.MapRevocations(app);
        Keys.ApiKeyEndpoints.MapApiKeys(app);
        app.MapWorker();
        Policy.PolicyTokenEndpoints.MapPolicyTokens(app);
        AuditApi.AuditEndpoints.MapAudit(app);
        Flags.FlagEndpoints.MapFlags(app);
        Events.EventEndpoints.MapEvents(app);
        Triggers.TriggerEndpoints.MapTriggers(app);
    }
}
