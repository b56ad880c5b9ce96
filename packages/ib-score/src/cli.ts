console.log("ib-score cli");
