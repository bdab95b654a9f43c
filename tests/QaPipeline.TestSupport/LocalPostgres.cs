using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace QaPipeline.TestSupport;

/// <summary>
/// A private PostgreSQL cluster in a temporary directory on a free loopback port, for the integration tests
/// and <c>qa bench pipeline --db postgres</c>. Uses Debian's server binaries (setup.sh installs the
/// <c>postgresql</c> package). PostgreSQL refuses to run as root, so under uid 0 the server runs as the
/// <c>postgres</c> system user through runuser.
/// </summary>
public sealed class LocalPostgres : IDisposable
{
    private readonly string _bin;
    private readonly string _dir;
    private readonly bool _asPostgresUser;

    private LocalPostgres(string bin, string dir, int port, bool asPostgresUser)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }
    public string DataDirectory => Path.Combine(_dir, "data");
    public string LogFile => Path.Combine(_dir, "server.log");

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Timeout=5;Maximum Pool Size=50";

    public static LocalPostgres Start()
    {
        var bin = FindBinaries();
        var asPostgresUser = Environment.UserName == "root" || IsRoot();
        var dir = Path.Combine(Path.GetTempPath(), $"qa-pg-{Guid.NewGuid():N}"[..16]);
        Directory.CreateDirectory(dir);
        if (asPostgresUser) Run("chown", ["postgres:postgres", dir], asPostgres: false);
        var cluster = new LocalPostgres(bin, dir, FreePort(), asPostgresUser);
        try
        {
            cluster.Tool("initdb", ["-D", cluster.DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
            cluster.StartServerProcess();
            return cluster;
        }
        catch
        {
            cluster.Dispose();
            throw;
        }
    }

    /// <summary>Starts the server (again, after <see cref="StopServer"/>) and waits until it accepts connections.</summary>
    public void StartServer()
    {
        StartServerProcess();
        NpgsqlConnection.ClearAllPools();
    }

    // fsync=off is safe here (the machine does not crash under a test) and keeps tests fast. synchronous_commit
    // stays on: with it off, the outage test's immediate stop threw away transactions the server had already
    // reported committed (a call's "scored" status vanished), which no production server would do.
    private void StartServerProcess() =>
        Tool("pg_ctl", ["-D", DataDirectory, "-l", LogFile, "-w", "-t", "60", "-o",
            $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300",
            "start"]);

    /// <summary>Stops the server the way an outage would: connections are cut, nothing is handed over.</summary>
    public void StopServer() => Tool("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public string CreateDatabase(string name)
    {
        // Unpooled: a pooled connection may be a dead one from before a restart of this cluster.
        using var c = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        c.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", c);
        cmd.ExecuteNonQuery();
        return ConnectionString(name);
    }

    public void Dispose()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid"))) StopServer();
        }
        catch (Exception)
        {
            // Best effort: the directory goes anyway.
        }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private void Tool(string name, string[] args) => Run(Path.Combine(_bin, name), args, _asPostgresUser);

    private static void Run(string file, string[] args, bool asPostgres)
    {
        var psi = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            p.Kill(true);
            throw new InvalidOperationException($"{Path.GetFileName(file)} did not finish in 90 s");
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} failed (exit {p.ExitCode}): {(stderr.Result + stdout.Result).Trim().ReplaceLineEndings(" ")}");
    }

    private static string FindBinaries()
    {
        var fromEnv = Environment.GetEnvironmentVariable("QA_PG_BIN");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(Path.Combine(fromEnv, "initdb"))) return fromEnv;
        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var newest = Directory.GetDirectories(debian)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "bin", "initdb")))
                .OrderByDescending(d => d.Version).FirstOrDefault();
            if (newest.Dir is not null) return Path.Combine(newest.Dir, "bin");
        }
        throw new InvalidOperationException(
            "PostgreSQL server binaries not found (looked in QA_PG_BIN and /usr/lib/postgresql/*/bin): run ./setup.sh, which installs Debian's postgresql package");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static bool IsRoot()
    {
        try { return File.ReadAllText("/proc/self/status").Split('\n').Any(l => l.StartsWith("Uid:") && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0"); }
        catch (IOException) { return false; }
    }
}
