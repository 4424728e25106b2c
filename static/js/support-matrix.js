// Move the "Placed here" mark as the scope and impact radios change (the saved page shows it too).
  const form = document.getElementById("assessment-form");
  const matrix = document.getElementById("support-matrix");
  form.addEventListener("change", () => {
    const scope = form.querySelector("input[name=matrix_scope]:checked")?.value;
    const impact = form.querySelector("input[name=matrix_impact]:checked")?.value;
    for (const cell of matrix.querySelectorAll("td[data-scope]")) {
      const chosen = cell.dataset.scope === scope && cell.dataset.impact === impact;
      cell.replaceChildren();
      if (chosen) {
        const mark = document.createElement("strong");
        mark.className = "nhsuk-tag nhsuk-tag--purple";
        mark.textContent = "Placed here";
        cell.append(mark);
      }
    }
  });
