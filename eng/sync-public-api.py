#!/usr/bin/env python3
"""Makes a library's PublicAPI.Unshipped.txt match its code after a deliberate API change.

Builds the project; every RS0016 (public symbol not declared) is added to the file, every RS0017 (declared symbol
gone) removed, until the build reports neither. Review the file's diff: it is the API change.

    python3 eng/sync-public-api.py src/Resilience.Metrics/Resilience.Metrics.csproj
"""
import os
import re
import subprocess
import sys

project = sys.argv[1]
path = os.path.join(os.path.dirname(project), "PublicAPI.Unshipped.txt")
for _ in range(3):
    output = subprocess.run(["dotnet", "build", project, "--no-incremental"], capture_output=True, text=True).stdout
    add, remove = set(), set()
    for match in re.finditer(r"error (RS001[67]): Symbol '(.*?)' is (?:not part of|part of the declared)", output):
        (add if match.group(1) == "RS0016" else remove).add(match.group(2))
    if not add and not remove:
        break
    lines = open(path, encoding="utf-8").read().splitlines()
    header = [line for line in lines if line.startswith("#")]
    body = sorted({line for line in lines if line and not line.startswith("#") and line not in remove} | add,
                  key=lambda line: line.replace("~", ""))
    with open(path, "w", encoding="utf-8", newline="\n") as file:
        file.write("\n".join(header + body) + "\n")
    print(f"{path}: +{len(add)} -{len(remove)}")
