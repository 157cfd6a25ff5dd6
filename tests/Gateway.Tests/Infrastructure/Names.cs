namespace IronOrleans.Gateway.Tests.Infrastructure;

/// <summary>Per-test unique names, so tests sharing one cluster never see each other's objects.</summary>
public static class Names
{
    public static string Namespace() => "t-" + Guid.NewGuid().ToString("N")[..12];

    public static string Node() => "p1.node-" + Guid.NewGuid().ToString("N")[..10];

    public static string Object(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>A call option with a deadline, so no call in a test can hang.</summary>
    public static Grpc.Core.CallOptions Call() =>
        new(deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: TestContext.Current.CancellationToken);
}
