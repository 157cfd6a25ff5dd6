using IronOrleans.Silo;
using Orleans.Dashboard;

if (args is ["migrate", ..])
{
    return await SiloCommands.MigrateAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIronOrleansSilo();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOrleansDashboard(routePrefix: "/dashboard");
await app.RunAsync();
return 0;
