// The query page: loads the named queries as examples, sends the query to /sparql by POST
// and shows SELECT/ASK results as a table, CONSTRUCT/DESCRIBE results as Turtle.
"use strict";

const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";

function element(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function showStatus(text, isError) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

function termText(term) {
  if (!term) return "";
  if (term.type === "literal" && term["xml:lang"]) return `${term.value} @${term["xml:lang"]}`;
  return term.value;
}

function showSolutions(data) {
  const results = document.getElementById("results");
  if (typeof data.boolean === "boolean") {
    results.replaceChildren(element("p", `ASK: ${data.boolean}`));
    return 1;
  }
  const vars = data.head.vars;
  const table = element("table");
  const head = element("tr");
  vars.forEach((name) => head.appendChild(element("th", name)));
  table.appendChild(head);
  data.results.bindings.forEach((binding) => {
    const row = element("tr");
    vars.forEach((name) => row.appendChild(element("td", termText(binding[name]))));
    table.appendChild(row);
  });
  results.replaceChildren(table);
  return data.results.bindings.length;
}

async function runQuery() {
  const query = document.getElementById("query").value;
  showStatus("Running…", false);
  const started = performance.now();
  try {
    const response = await fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", Accept: ACCEPT },
      body: query,
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (!response.ok) {
      document.getElementById("results").replaceChildren();
      showStatus(`${response.status}: ${await response.text()}`, true);
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("application/sparql-results+json")) {
      const count = showSolutions(await response.json());
      showStatus(`${count} result${count === 1 ? "" : "s"} in ${seconds} s`, false);
    } else {
      document.getElementById("results").replaceChildren(element("pre", await response.text()));
      showStatus(`Graph in ${seconds} s`, false);
    }
  } catch (error) {
    showStatus(`The endpoint did not answer: ${error}`, true);
  }
}

async function loadExamples() {
  const select = document.getElementById("example");
  const response = await fetch("/examples");
  const examples = await response.json();
  examples.forEach((example, index) => {
    const option = element("option", example.name);
    option.value = String(index);
    select.appendChild(option);
  });
  select.addEventListener("change", () => {
    const example = examples[Number(select.value)];
    if (!example) return;
    document.getElementById("query").value = example.query;
    const parameters = example.parameters.map(
      (p) => `?${p.name}: ${p.description} (bind it with VALUES ?${p.name} { … } in the WHERE clause)`
    );
    document.getElementById("example-description").textContent =
      [example.description, ...parameters].join("\n");
  });
}

document.getElementById("run").addEventListener("click", runQuery);
loadExamples();
