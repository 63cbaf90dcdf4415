using System.Text.Json.Nodes;

namespace Resilience.Metrics;

/// <summary>Lays a Grafana dashboard's panels out on its 24-column grid, line by line, and numbers them.</summary>
internal sealed class DashboardGrid
{
    private const int Columns = 24;

    private int _y;
    private int _nextId = 1;

    public JsonArray Panels { get; } = new();

    public void Row(string title)
    {
        var row = new JsonObject
        {
            ["type"] = "row",
            ["title"] = title,
            ["collapsed"] = false,
            ["panels"] = new JsonArray(),
        };
        Place(row, 0, Columns, 1);
        _y++;
    }

    public void Line(int height, params ReadOnlySpan<(int Width, JsonObject Panel)> panels)
    {
        var x = 0;
        foreach (var (width, panel) in panels)
        {
            Place(panel, x, width, height);
            x += width;
        }

        if (x > Columns)
        {
            throw new InvalidOperationException($"A dashboard line is {x} columns wide; the grid has {Columns}.");
        }

        _y += height;
    }

    private void Place(JsonObject panel, int x, int width, int height)
    {
        panel.Insert(0, "id", _nextId++);
        panel.Insert(1, "gridPos", new JsonObject { ["h"] = height, ["w"] = width, ["x"] = x, ["y"] = _y });
        Panels.Add(panel);
    }
}
