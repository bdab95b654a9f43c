using Xunit.Abstractions;

namespace QaPipeline.Pipeline.Tests;

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "engines";
}

/// <summary>Says in the test output, every run, whether the SQL Server suite ran.</summary>
public sealed class SqlServerSuiteNotice(ITestOutputHelper output)
{
    [Fact]
    public void Sql_server_integration_suite_runs_only_when_QA_SQLSERVER_CONNECTION_is_set()
    {
        var message = EngineFixture.SqlServerConnection is null
            ? "SQL Server integration suite NOT RUN: set QA_SQLSERVER_CONNECTION to a SQL Server connection string to run it (see docs/pipeline.md)."
            : "SQL Server integration suite RUN against QA_SQLSERVER_CONNECTION.";
        output.WriteLine(message);
        Console.Error.WriteLine(message);
        Assert.Equal(EngineFixture.SqlServerConnection is not null, ((IEnumerable<object[]>)EngineFixture.All).Any(row => (string)row[0] == "sqlserver"));
    }
}
