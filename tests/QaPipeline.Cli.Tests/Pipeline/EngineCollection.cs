namespace QaPipeline.Cli.Tests.Pipeline;

/// <summary>One private PostgreSQL cluster for the pipeline commands' tests (xUnit finds collections in the test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "engines";
}
