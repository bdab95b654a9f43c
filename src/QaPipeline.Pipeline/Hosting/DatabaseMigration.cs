using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using QaPipeline.Storage;

namespace QaPipeline.Pipeline.Hosting;

/// <summary>
/// Brings the product schema up to date as the host starts, before the centre's settings are read and before the
/// Hangfire server takes a job (it is the first hosted service AddPipeline registers). Several nodes starting at
/// once are safe: DbUp records each script it ran, and a script is one transaction.
/// </summary>
public sealed class DatabaseMigration(Database db) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.Run(db.Migrate, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class DatabaseMigrationExtensions
{
    /// <summary>For tools that use the pipeline's services without running a host (the CLI's one-shot commands):
    /// migrate before the first query, as a host would at start.</summary>
    public static T MigrateDatabase<T>(this T services) where T : IServiceProvider
    {
        services.GetRequiredService<Database>().Migrate();
        return services;
    }
}
