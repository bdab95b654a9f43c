using Hangfire.AspNetCore;
using Hangfire.Logging;
using Microsoft.Extensions.Logging;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>
/// Hangfire logs through one process-wide provider (LibLog's static <see cref="LogProvider"/>), and AddHangfire points it
/// at the logger factory of whichever host resolved its configuration last. Several hosts share a process in the web and
/// pipeline tests (and any embedding that restarts a host): once the last one stopped, its disposed factory made every
/// other host's first job enqueue throw ObjectDisposedException. A stopped host's factory now hands out silent loggers.
/// </summary>
internal sealed class HostLogProvider(ILoggerFactory factory) : ILogProvider
{
    private readonly AspNetCoreLogProvider _host = new(factory);

    public ILog GetLogger(string name)
    {
        try { return _host.GetLogger(name); }
        catch (ObjectDisposedException) { return Silent.Instance; }
    }

    private sealed class Silent : ILog
    {
        public static readonly Silent Instance = new();
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
    }
}
