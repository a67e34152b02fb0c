// Entry point of the lab page; the study editor and views mount here (issue 4).
document.body.textContent = 'Tuning Lab';
