// The IronOrleans local cloud: PostgreSQL, the schema, two control-plane silos, the Gateway and two NodeAgents that
// simulate hypervisors with an in-process PacketCore. Settings: IronOrleans:LocalCloud (LocalCloudOptions).
using IronOrleans.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var cloud = builder.GetLocalCloudOptions();

var postgres = builder.AddLocalPostgres("postgres", cloud);
var database = postgres.AddDatabase("ironorleans");

var orleans = builder.AddOrleans("orleans")
    .WithClusterId("ironorleans")
    .WithServiceId("ironorleans")
    .WithClustering(database);

var schema = builder.AddProject<Projects.IronOrleans_Silo>("schema")
    .WithArgs("migrate")
    .WithReference(database)
    .WaitFor(postgres);

var silo = builder.AddProject<Projects.IronOrleans_Silo>("silo")
    .WithReference(orleans)
    .WithNpgsqlClustering(database)
    .WithLoopbackSiloAddress()
    .WithHealthEndpoint(cloud.SiloHttpPort)
    .WithOrleansDashboardUrl()
    .WithReplicas(cloud.SiloReplicas)
    .WaitForCompletion(schema);

var gateway = builder.AddProject<Projects.IronOrleans_Gateway>("gateway")
    .WithReference(orleans.AsClient())
    .WithNpgsqlClustering(database)
    .WithGrpcEndpoint(cloud.GatewayPort)
    .WaitFor(silo);

var nodeA = builder.AddProject<Projects.IronOrleans_NodeAgent>("node-a")
    .WithReference(orleans)
    .WithoutOrleansGateway()
    .WithNpgsqlClustering(database)
    .WithLoopbackSiloAddress()
    .AsSimulatedHypervisor(new SimulatedHypervisor("node-a", Zone: "zone-a", Index: 0xa), cloud.Tap)
    .WithHealthEndpoint()
    .WaitFor(silo);

var nodeB = builder.AddProject<Projects.IronOrleans_NodeAgent>("node-b")
    .WithReference(orleans)
    .WithoutOrleansGateway()
    .WithNpgsqlClustering(database)
    .WithLoopbackSiloAddress()
    .AsSimulatedHypervisor(new SimulatedHypervisor("node-b", Zone: "zone-b", Index: 0xb), cloud.Tap)
    .WithHealthEndpoint()
    .WaitFor(silo);

builder.AddLocalCloudReport(gateway, silo, nodeA, nodeB);
builder.Build().Run();
